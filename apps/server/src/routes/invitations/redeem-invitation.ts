import { Type } from 'typebox';
import { describeInvitation, redeemInvitation } from '../../services/invitations.ts';
import type { Route } from '../context.ts';
import { iso } from '../present.ts';
import { Name, ProjectIdSchema, problemResponses, Timestamp, UserIdSchema } from '../schemas.ts';
import { InvitationCode } from './invitation-schemas.ts';

const Invited = Type.Object({
  email: Type.String(),
  project: Type.Object({ id: ProjectIdSchema, name: Type.String() }),
  role: Type.String(),
  expires_at: Timestamp,
});

const RedeemBody = Type.Object(
  {
    code: InvitationCode,
    account: Type.Union([Type.Literal('new'), Type.Literal('existing')], {
      description: "'new': choose a password (12 or more characters); 'existing': the account's password",
    }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    name: Type.Optional(Name),
  },
  { additionalProperties: false },
);

/** Public: the code is the credential. It travels in the body, never in a URL. */
export const redeemInvitationRoutes: Route = (app, { deps }) => {
  app.post(
    '/v1/invitations/lookup',
    {
      config: { policy: { exempt: 'public: the invitation code is the credential' } },
      schema: {
        operationId: 'lookupInvitation',
        tags: ['principals'],
        summary: 'What an invitation code is for (email, project, role); says nothing about accounts',
        body: Type.Object({ code: InvitationCode }, { additionalProperties: false }),
        response: { 200: Invited, ...problemResponses },
      },
    },
    async (request) => {
      const { invitation, project, role } = await describeInvitation(deps, request, request.body.code);
      return {
        email: invitation.email,
        project: { id: project.id, name: project.name },
        role: role.name,
        expires_at: iso(invitation.expiresAt),
      };
    },
  );

  app.post(
    '/v1/invitations/redeem',
    {
      config: {
        policy: { exempt: 'public: the invitation code and the account password are the credentials' },
      },
      schema: {
        operationId: 'redeemInvitation',
        tags: ['principals'],
        summary: 'Join the project an invitation is for; the code works once',
        description:
          'An existing account joins with its own password; a new account is created with the ' +
          'password chosen here. A wrong password, or a claim that does not fit the email, is the ' +
          'same 401 and counts against the invitation (burnt after 5) and the address.',
        body: RedeemBody,
        response: {
          200: Type.Object({
            user: Type.Object({ id: UserIdSchema, email: Type.String() }),
            project_id: ProjectIdSchema,
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const { invitation, user } = await redeemInvitation(deps, request, request.body);
      return { user: { id: user.id, email: user.email }, project_id: invitation.projectId };
    },
  );
};
