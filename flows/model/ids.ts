/** Node and edge ids: short, URL- and CSS-safe. */
export const ELEMENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
