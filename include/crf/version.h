/* version.h - the crf release. */
#ifndef CRF_VERSION_H
#define CRF_VERSION_H
#define CRF_VERSION "0.1.0"
#endif
