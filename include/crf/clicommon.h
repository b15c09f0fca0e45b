/*
 * clicommon.h - what several subcommands share: reading the
 * configuration and the study definitions, reporting problems on stderr.
 */
#ifndef CRF_CLICOMMON_H
#define CRF_CLICOMMON_H

#include <stdio.h>

#include "crf/cli.h"
#include "crf/config.h"
#include "crf/formdef.h"

/* Locate and load the configuration; on error print it and return 1. */
int cli_load_config(const cli_opts *o, crf_config *cfg);

/* Load the study in dir; on error print every problem, sorted by file
 * and line, as "FILE:LINE: message" to fp and return the number printed. */
size_t cli_load_study(const char *dir, study_def **out, FILE *fp);

/* The path of the ODM schema (odm_schema_find()), owned; NULL after
 * saying on stderr that it is missing. */
char *cli_odm_schema(void);

#endif
