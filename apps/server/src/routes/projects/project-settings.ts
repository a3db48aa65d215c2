import type { ProjectSettings } from '@keyward/storage';
import { Type } from 'typebox';
import { Nullable } from '../schemas.ts';

const Lifetime = Nullable(Type.Integer({ minimum: 60, maximum: 10 * 365 * 86_400 }));

export const ProjectSettingsBody = Type.Object(
  {
    max_token_lifetime_seconds: Type.Optional(Lifetime),
    default_token_lifetime_seconds: Type.Optional(Lifetime),
    leak_action: Type.Optional(
      Type.Union([Type.Literal('revoke'), Type.Literal('notify')], {
        description: 'What a confirmed secret-scanning report does: revoke the token, or notify only',
      }),
    ),
  },
  { additionalProperties: false },
);

export function toSettings(body: {
  max_token_lifetime_seconds?: number | null;
  default_token_lifetime_seconds?: number | null;
  leak_action?: 'revoke' | 'notify';
}): Partial<ProjectSettings> {
  return {
    ...(body.max_token_lifetime_seconds !== undefined
      ? { maxTokenLifetimeSeconds: body.max_token_lifetime_seconds }
      : {}),
    ...(body.default_token_lifetime_seconds !== undefined
      ? { defaultTokenLifetimeSeconds: body.default_token_lifetime_seconds }
      : {}),
    ...(body.leak_action !== undefined ? { leakAction: body.leak_action } : {}),
  };
}
