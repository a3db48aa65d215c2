import type { ProjectSettings } from '@keyward/storage';
import { Type } from 'typebox';
import { Nullable } from '../schemas.ts';

const Lifetime = Nullable(Type.Integer({ minimum: 60, maximum: 10 * 365 * 86_400 }));

export const ProjectSettingsBody = Type.Object(
  {
    max_token_lifetime_seconds: Type.Optional(Lifetime),
    default_token_lifetime_seconds: Type.Optional(Lifetime),
  },
  { additionalProperties: false },
);

export function toSettings(body: {
  max_token_lifetime_seconds?: number | null;
  default_token_lifetime_seconds?: number | null;
}): Partial<ProjectSettings> {
  return {
    ...(body.max_token_lifetime_seconds !== undefined
      ? { maxTokenLifetimeSeconds: body.max_token_lifetime_seconds }
      : {}),
    ...(body.default_token_lifetime_seconds !== undefined
      ? { defaultTokenLifetimeSeconds: body.default_token_lifetime_seconds }
      : {}),
  };
}
