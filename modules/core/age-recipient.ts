// An age X25519 recipient as the age spec writes it: "age1" + 58 bech32 characters (lower case).
export const AGE_RECIPIENT_PATTERN = /^age1[02-9ac-hj-np-z]{58}$/;
