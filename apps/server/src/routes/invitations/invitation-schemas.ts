import { INVITATION_CODE_PATTERN, idPattern, MAX_INVITATION_LIFETIME_SECONDS } from '@keyward/core';
import type { Invitation } from '@keyward/storage';
import { Type } from 'typebox';
import { iso } from '../present.ts';
import { named, RoleIdSchema, Timestamp } from '../schemas.ts';

export const InvitationIdSchema = Type.String({ pattern: idPattern('invitation'), description: 'inv_…' });
export const InvitationCode = Type.String({ pattern: INVITATION_CODE_PATTERN, description: 'kwinv_…' });
export const InvitationLifetime = Type.Integer({
  minimum: 300,
  maximum: MAX_INVITATION_LIFETIME_SECONDS,
  description: 'Seconds until the code expires (default 7 days)',
});

export const InvitationView = named(
  'InvitationView',
  Type.Object({
    id: InvitationIdSchema,
    email: Type.String(),
    role_id: RoleIdSchema,
    role: Type.String(),
    created_by: Type.Union([Type.String(), Type.Null()]),
    created_at: Timestamp,
    expires_at: Timestamp,
  }),
);

export function presentInvitation(invitation: Invitation, roleName: string) {
  return {
    id: invitation.id,
    email: invitation.email,
    role_id: invitation.roleId,
    role: roleName,
    created_by: invitation.createdBy,
    created_at: iso(invitation.createdAt),
    expires_at: iso(invitation.expiresAt),
  };
}
