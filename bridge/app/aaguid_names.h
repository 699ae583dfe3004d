/* Names users recognise for the authenticators students commonly have. */
#ifndef BR_AAGUID_NAMES_H
#define BR_AAGUID_NAMES_H

/* The name for an AAGUID (text form, any case), or "". */
const char *br_aaguid_name(const char *aaguid);

#endif
