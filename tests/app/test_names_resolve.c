/*
 * Which name and icons a passkey's model gets (app/aaguid_names.c): the
 * names file first, then the metadata's description, else the kind; the
 * list's icons, else the metadata's icon for a model the list names without
 * one; the all-zero and invalid AAGUIDs name nothing.
 */
#include <string.h>

#include "../../bridge/app/aaguid_names.h"
#include "unit.h"

#define A_LISTED_ICONS "ee882879-721c-4913-9775-3dfcce97072a"
#define A_LISTED_BARE "fa2b99dc-9e39-4257-8f92-4a30d23c4118"
#define A_MDS_ONLY "cb69481e-8ff7-4039-93ec-0a2729a154a8"
#define PNG "data:image/png;base64,iVBORw0KGgo="
#define SVG "data:image/svg+xml;base64,PHN2Zy8+"

static void
resolve(void)
{
	static const char names_json[] = "{\"" A_LISTED_ICONS "\":{\"name\":\"Listed\",\"icon_dark\":\"" SVG "\"},"
	    "\"" A_LISTED_BARE "\":{\"name\":\"Bare\"}}";
	static const char mds_json[] = "{\"no\":1,\"nextUpdate\":\"2025-06-22\",\"entries\":["
	    "{\"aaguid\":\"" A_LISTED_ICONS "\",\"metadataStatement\":{\"description\":\"MDS one\",\"icon\":\"" PNG "\"}},"
	    "{\"aaguid\":\"" A_LISTED_BARE "\",\"metadataStatement\":{\"description\":\"MDS two\",\"icon\":\"" PNG "\"}},"
	    "{\"aaguid\":\"" A_MDS_ONLY "\",\"metadataStatement\":{\"description\":\"MDS three\",\"icon\":\"" PNG "\"}}]}";
	br_names *n = NULL;
	br_mds *m = NULL;
	char name[600], why[160];
	const char *light, *dark;
	int generic;

	CHECK_INT(br_names_parse((const unsigned char *)names_json, strlen(names_json), &n, why, sizeof(why)), 0);
	CHECK_INT(br_mds_payload_parse((const unsigned char *)mds_json, strlen(mds_json), &m), BR_MDS_OK);

	/* the list's name and its (only, dark) icon; the metadata's icon is not mixed in */
	br_name_resolve(n, m, A_LISTED_ICONS, 0, name, sizeof(name), &generic, &light, &dark);
	CHECK(strcmp(name, "Listed") == 0 && !generic && light == NULL && dark != NULL && strcmp(dark, SVG) == 0);
	/* the list names it without an icon: the metadata's */
	br_name_resolve(n, m, "FA2B99DC-9E39-4257-8F92-4A30D23C4118", 0, name, sizeof(name), &generic, &light, &dark);
	CHECK(strcmp(name, "Bare") == 0 && light != NULL && strcmp(light, PNG) == 0 && dark == NULL);
	/* only the metadata knows it */
	br_name_resolve(n, m, A_MDS_ONLY, 1, name, sizeof(name), &generic, &light, &dark);
	CHECK(strcmp(name, "MDS three") == 0 && !generic && light != NULL);
	/* nobody knows it, or it names no model: the kind, no icon */
	br_name_resolve(n, m, "00000000-0000-0000-0000-000000000000", 1, name, sizeof(name), &generic, &light, &dark);
	CHECK(strcmp(name, "Passkey") == 0 && generic && light == NULL && dark == NULL);
	br_name_resolve(n, m, "not an aaguid", 0, name, sizeof(name), &generic, &light, &dark);
	CHECK(strcmp(name, "Security key") == 0 && generic && light == NULL);
	br_name_resolve(NULL, NULL, A_LISTED_ICONS, 0, name, sizeof(name), &generic, &light, &dark);
	CHECK(strcmp(name, "Security key") == 0 && generic && light == NULL);
	br_names_free(&n);
	br_mds_free(&m);
}

int
main(void)
{
	static const unit_case cases[] = {
		UNIT_CASE(resolve),
	};

	return unit_run("names_resolve", cases, UNIT_N(cases));
}
