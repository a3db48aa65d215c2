/** The Keyward release this server is (OpenAPI info.version, keyward_build_info). */
export const VERSION = '0.1.0';
