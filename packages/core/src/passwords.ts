/** Shortest console password accepted (setup, `keyward init`, members). */
export const PASSWORD_MIN_LENGTH = 12;
