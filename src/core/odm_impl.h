/*
 * odm_impl.h - what odm.c (the writer, the schema check) and
 * odm_check.c (the semantic checks) share; not part of the model's API.
 */
#ifndef CRF_ODM_IMPL_H
#define CRF_ODM_IMPL_H

#include <stdbool.h>
#include <stddef.h>

/* A set of strings (open addressing, FNV-1a), with a value per key. */
typedef struct odm_set {
	char **keys;            /* owned; NULL = empty slot */
	const void **vals;
	size_t cap;             /* a power of two, or 0 */
	size_t n;
} odm_set;

/* The value stored with key (found: *found true), or NULL. */
const void *odm_set_get(const odm_set *s, const char *key, bool *found);
/* Add key with val; false (and nothing changed) if key was there. */
bool odm_set_add(odm_set *s, const char *key, const void *val);
/* Remove key; false if it was not there. */
bool odm_set_del(odm_set *s, const char *key);
void odm_set_free(odm_set *s);

#endif
