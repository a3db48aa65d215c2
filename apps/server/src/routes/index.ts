import { generateTokenAlias } from './admin/generate-token.ts';
import { listAudit } from './audit/list-audit.ts';
import { verifyAudit } from './audit/verify-audit.ts';
import type { Route } from './context.ts';
import { getError } from './errors/get-error.ts';
import { createInvitationRoute } from './invitations/create-invitation.ts';
import { listInvitations } from './invitations/list-invitations.ts';
import { redeemInvitationRoutes } from './invitations/redeem-invitation.ts';
import { revokeInvitationRoute } from './invitations/revoke-invitation.ts';
import { getApiKey } from './me/get-api-key.ts';
import { getMe } from './me/get-me.ts';
import { regenerateApiKey } from './me/regenerate-api-key.ts';
import { addMember } from './members/add-member.ts';
import { listMembers } from './members/list-members.ts';
import { removeMember } from './members/remove-member.ts';
import { updateMember } from './members/update-member.ts';
import { createProject } from './projects/create-project.ts';
import { getProject } from './projects/get-project.ts';
import { listProjects } from './projects/list-projects.ts';
import { updateProject } from './projects/update-project.ts';
import { createRole } from './roles/create-role.ts';
import { deleteRole } from './roles/delete-role.ts';
import { listRoles } from './roles/list-roles.ts';
import { updateRole } from './roles/update-role.ts';
import { SDK_ROUTES } from './sdk/index.ts';
import { githubSecretScanning } from './secret-scanning/github.ts';
import { createServiceAccount } from './service-accounts/create-service-account.ts';
import { getServiceAccount } from './service-accounts/get-service-account.ts';
import { listServiceAccounts } from './service-accounts/list-service-accounts.ts';
import { updateServiceAccount } from './service-accounts/update-service-account.ts';
import { getSession } from './session/get-session.ts';
import { login } from './session/login.ts';
import { logout } from './session/logout.ts';
import { setup } from './session/setup.ts';
import { healthz } from './system/healthz.ts';
import { readyz } from './system/readyz.ts';
import { bulkRevokeTokens } from './tokens/bulk-revoke-tokens.ts';
import { createToken } from './tokens/create-token.ts';
import { getToken } from './tokens/get-token.ts';
import { importTokens } from './tokens/import-tokens.ts';
import { listTokens } from './tokens/list-tokens.ts';
import { revokeByValue } from './tokens/revoke-by-value.ts';
import { revokeToken } from './tokens/revoke-token.ts';
import { rotateToken } from './tokens/rotate-token.ts';
import { setTokenDisabled } from './tokens/set-token-disabled.ts';
import { updateToken } from './tokens/update-token.ts';
import { projectUsage } from './usage/project-usage.ts';
import { updateUser } from './users/update-user.ts';
import { authorize } from './verify/authorize.ts';
import { introspectToken } from './verify/introspect-token.ts';
import { tokenUsage } from './verify/token-usage.ts';
import { verifyToken } from './verify/verify-token.ts';
import { reminderRoutes } from './webhooks/reminder-routes.ts';
import { webhookDeliveryRoutes } from './webhooks/webhook-deliveries.ts';
import { webhookEndpointRoutes } from './webhooks/webhook-endpoints.ts';

/** Every operation Keyward serves, one file each. */
export const ROUTES: readonly Route[] = [
  healthz,
  readyz,
  getMe,
  getApiKey,
  regenerateApiKey,
  createToken,
  listTokens,
  getToken,
  updateToken,
  tokenUsage,
  revokeToken,
  rotateToken,
  setTokenDisabled,
  importTokens,
  bulkRevokeTokens,
  generateTokenAlias,
  getError,
  listAudit,
  verifyAudit,
  createProject,
  listProjects,
  getProject,
  updateProject,
  projectUsage,
  listRoles,
  createRole,
  updateRole,
  deleteRole,
  listMembers,
  addMember,
  updateMember,
  removeMember,
  createInvitationRoute,
  listInvitations,
  revokeInvitationRoute,
  redeemInvitationRoutes,
  listServiceAccounts,
  createServiceAccount,
  getServiceAccount,
  updateServiceAccount,
  updateUser,
  login,
  logout,
  getSession,
  setup,
  authorize,
  verifyToken,
  introspectToken,
  ...SDK_ROUTES,
  revokeByValue,
  githubSecretScanning,
  webhookEndpointRoutes,
  webhookDeliveryRoutes,
  reminderRoutes,
];
