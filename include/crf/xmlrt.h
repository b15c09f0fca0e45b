/* libxml2 loaded at run time.
 *
 * The full-screen program never touches XML, yet linking libxml2 maps it and
 * ICU, libstdc++, zlib and liblzma into every crf process (about 2 MiB
 * resident, see docs/benchmarks.md).  So crf does not link libxml2: the ODM
 * modules (odm.c, odm_check.c, central.c) include this header after the
 * libxml headers, and every libxml2 name they use becomes a call through a
 * pointer that xml_runtime() fills with dlopen()/dlsym() the first time an
 * export, a check or an import needs it.  The types come from libxml2's own
 * headers (__typeof__), so a prototype mismatch is a compile error.
 *
 * To use another libxml2 function: add it to XMLRT_FUNCS and add its #define
 * below. */
#ifndef CRF_XMLRT_H
#define CRF_XMLRT_H

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlwriter.h>

#include "crf/status.h"

#define XMLRT_FUNCS(X) \
	X(xmlBufferContent) X(xmlBufferCreate) X(xmlBufferFree) X(xmlBufferLength) \
	X(xmlDocGetRootElement) X(xmlFreeDoc) X(xmlFreeTextWriter) \
	X(xmlGetExternalEntityLoader) X(xmlGetLineNo) X(xmlGetNoNsProp) X(xmlGetProp) \
	X(xmlInitParser) X(xmlNewTextWriterMemory) X(xmlNoNetExternalEntityLoader) \
	X(xmlNodeGetContent) X(xmlReadMemory) X(xmlSchemaFree) X(xmlSchemaFreeParserCtxt) \
	X(xmlSchemaFreeValidCtxt) X(xmlSchemaNewParserCtxt) X(xmlSchemaNewValidCtxt) \
	X(xmlSchemaParse) X(xmlSchemaSetParserStructuredErrors) \
	X(xmlSchemaSetValidStructuredErrors) X(xmlSchemaValidateDoc) \
	X(xmlSetExternalEntityLoader) X(xmlSetStructuredErrorFunc) X(xmlStrcmp) \
	X(xmlTextWriterEndDocument) X(xmlTextWriterEndElement) X(xmlTextWriterSetIndent) \
	X(xmlTextWriterSetIndentString) X(xmlTextWriterStartDocument) \
	X(xmlTextWriterStartElement) X(xmlTextWriterWriteAttribute) X(xmlTextWriterWriteString)

struct xmlrt {
#define XMLRT_MEMBER(name) __typeof__(name) *name;
	XMLRT_FUNCS(XMLRT_MEMBER)
#undef XMLRT_MEMBER
	xmlFreeFunc *xmlFree;   /* libxml2's variable, not a function */
};
extern struct xmlrt xmlrt;

/* Load libxml2 (once).  CRF_EIO with a message naming the library if it is
 * not installed.  Every public entry point of the ODM modules calls it first. */
crf_status xml_runtime(crf_err *err);

#ifdef CRF_TESTING
/* Load the library of this name instead (NULL: the real one again), to
 * test a machine without libxml2; only before the first successful load. */
void xml_runtime_test_library(const char *name);
#endif

#ifndef CRF_XMLRT_IMPL
#undef xmlFree
#define xmlFree (*xmlrt.xmlFree)
#define xmlBufferContent (*xmlrt.xmlBufferContent)
#define xmlBufferCreate (*xmlrt.xmlBufferCreate)
#define xmlBufferFree (*xmlrt.xmlBufferFree)
#define xmlBufferLength (*xmlrt.xmlBufferLength)
#define xmlDocGetRootElement (*xmlrt.xmlDocGetRootElement)
#define xmlFreeDoc (*xmlrt.xmlFreeDoc)
#define xmlFreeTextWriter (*xmlrt.xmlFreeTextWriter)
#define xmlGetExternalEntityLoader (*xmlrt.xmlGetExternalEntityLoader)
#define xmlGetLineNo (*xmlrt.xmlGetLineNo)
#define xmlGetNoNsProp (*xmlrt.xmlGetNoNsProp)
#define xmlGetProp (*xmlrt.xmlGetProp)
#define xmlInitParser (*xmlrt.xmlInitParser)
#define xmlNewTextWriterMemory (*xmlrt.xmlNewTextWriterMemory)
#define xmlNoNetExternalEntityLoader (*xmlrt.xmlNoNetExternalEntityLoader)
#define xmlNodeGetContent (*xmlrt.xmlNodeGetContent)
#define xmlReadMemory (*xmlrt.xmlReadMemory)
#define xmlSchemaFree (*xmlrt.xmlSchemaFree)
#define xmlSchemaFreeParserCtxt (*xmlrt.xmlSchemaFreeParserCtxt)
#define xmlSchemaFreeValidCtxt (*xmlrt.xmlSchemaFreeValidCtxt)
#define xmlSchemaNewParserCtxt (*xmlrt.xmlSchemaNewParserCtxt)
#define xmlSchemaNewValidCtxt (*xmlrt.xmlSchemaNewValidCtxt)
#define xmlSchemaParse (*xmlrt.xmlSchemaParse)
#define xmlSchemaSetParserStructuredErrors (*xmlrt.xmlSchemaSetParserStructuredErrors)
#define xmlSchemaSetValidStructuredErrors (*xmlrt.xmlSchemaSetValidStructuredErrors)
#define xmlSchemaValidateDoc (*xmlrt.xmlSchemaValidateDoc)
#define xmlSetExternalEntityLoader (*xmlrt.xmlSetExternalEntityLoader)
#define xmlSetStructuredErrorFunc (*xmlrt.xmlSetStructuredErrorFunc)
#define xmlStrcmp (*xmlrt.xmlStrcmp)
#define xmlTextWriterEndDocument (*xmlrt.xmlTextWriterEndDocument)
#define xmlTextWriterEndElement (*xmlrt.xmlTextWriterEndElement)
#define xmlTextWriterSetIndent (*xmlrt.xmlTextWriterSetIndent)
#define xmlTextWriterSetIndentString (*xmlrt.xmlTextWriterSetIndentString)
#define xmlTextWriterStartDocument (*xmlrt.xmlTextWriterStartDocument)
#define xmlTextWriterStartElement (*xmlrt.xmlTextWriterStartElement)
#define xmlTextWriterWriteAttribute (*xmlrt.xmlTextWriterWriteAttribute)
#define xmlTextWriterWriteString (*xmlrt.xmlTextWriterWriteString)
#endif

#endif
