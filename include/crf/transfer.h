/*
 * transfer.h - a site's transfer files for the coordinating centre.
 *
 * `crf export --transfer` writes the changes a site has made since its
 * last transfer as a Transactional ODM file (odm.h with opts.transfer and
 * opts.since_seq) whose PriorFileOID chains it to the transfer before,
 * plus FILE.b2, the file's BLAKE2b-256 checksum in sha256sum's format.
 * Each transfer is recorded in the site database (table transfer_out,
 * schema version 5) and in its audit trail ("odm transfer").  The mapping
 * and the chain are documented in docs/exchange.md ("Site to centre").
 */
#ifndef CRF_TRANSFER_H
#define CRF_TRANSFER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "crf/status.h"
#include "crf/store.h"

/* Hex digits of a checksum (BLAKE2b-256). */
#define TRANSFER_CHECKSUM_HEX 64

/* One transfer the site has written. */
typedef struct transfer_row {
	char *file_oid;
	char *prior_file_oid;   /* NULL for the site's first transfer */
	long long first_seq;    /* the audit rows it covers: the row after the
	                           previous transfer's last ... */
	long long last_seq;     /* ... the last row it carries */
	char *created_at;       /* UTC ISO 8601 */
	char *checksum;         /* 64 hex digits */
} transfer_row;

/* Free the strings of t and zero it (NULL is fine). */
void transfer_row_clear(transfer_row *t);

/* The BLAKE2b-256 of len bytes at buf as 64 lower-case hex digits into
 * hex (at least TRANSFER_CHECKSUM_HEX + 1 bytes). */
void transfer_checksum(const void *buf, size_t len, char *hex);

/* The text of a checksum file for the file named name:
 * "<64 hex digits>  <name>\n" (owned). */
char *transfer_checksum_line(const char *hex, const char *name);

/* The FileOID of a transfer whose audit rows start at first_seq (the row
 * after the previous transfer's last), made at now:
 * "crf/<study>/<site>/transfer/<first_seq>/<UTC time>", e.g.
 * "crf/NCT06228781/TJ01/transfer/58/20261125T080000Z" (owned).  A site's
 * transfers never share a first row, so no two of them share a FileOID. */
char *transfer_file_oid(const char *study, const char *site,
    long long first_seq, time_t now);

/* The seq of the last audit row (0 when there is none) into *seq. */
crf_status store_audit_max_seq(store *st, long long *seq, crf_err *err);

/* The site's latest transfer into *out, *found true; *found false (and
 * *out zeroed) when it has made none.  Only reads. */
crf_status store_last_transfer(store *st, transfer_row *out, bool *found,
    crf_err *err);

/*
 * Record a transfer written to where (a path, for the audit trail) in one
 * transaction: its row in transfer_out and an audit row "export" with new
 * value "odm transfer".  Needs PERM_EXPORT in a signed-in session.
 * Refused with CRF_ECONFLICT when t->prior_file_oid is not the site's
 * latest transfer (another transfer was recorded meanwhile) or its rows
 * overlap an earlier transfer; nothing is written then.
 */
crf_status store_record_transfer(store *st, const transfer_row *t,
    const char *where, crf_err *err);

#endif
