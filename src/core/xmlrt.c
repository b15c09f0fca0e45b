/* libxml2 loaded at run time: see crf/xmlrt.h. */
#define CRF_XMLRT_IMPL
#include <dlfcn.h>
#include <stddef.h>

#include "crf/xmlrt.h"

#ifndef CRF_LIBXML2_SONAME
#define CRF_LIBXML2_SONAME "libxml2.so.2"
#endif

struct xmlrt xmlrt;

static const char *soname = CRF_LIBXML2_SONAME;

#ifdef CRF_TESTING
void
xml_runtime_test_library(const char *name)
{
	soname = name != NULL ? name : CRF_LIBXML2_SONAME;
}
#endif

crf_status
xml_runtime(crf_err *err)
{
	static void *lib;
	struct xmlrt t;
	void *h, *p;

	if (lib != NULL)
		return CRF_OK;
	h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return crf_fail(err, CRF_EIO, "XML export, check and import need libxml2, "
		    "which is not installed (%s)", dlerror());
	/* dlsym returns void *; POSIX guarantees it converts to a function pointer. */
#define XMLRT_LOAD(name) \
	if ((p = dlsym(h, #name)) == NULL) goto missing; \
	*(void **)&t.name = p;
	XMLRT_FUNCS(XMLRT_LOAD)
#undef XMLRT_LOAD
	if ((p = dlsym(h, "xmlFree")) == NULL)
		goto missing;
	t.xmlFree = p;
	xmlrt = t;
	lib = h;
	xmlrt.xmlInitParser();
	return CRF_OK;
missing:
	{
		const char *why = dlerror();
		crf_status s = crf_fail(err, CRF_EIO, "%s is not a usable libxml2 (%s)",
		    soname, why != NULL ? why : "a function is missing");
		dlclose(h);
		return s;
	}
}
