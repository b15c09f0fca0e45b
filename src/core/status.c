/* status.c - messages for crf_status codes. */
#include <stdarg.h>
#include <stdio.h>

#include "crf/status.h"

static const char *const status_msgs[] = {
#define CRF_STATUS_MSG(name, msg) msg,
	CRF_STATUS_LIST(CRF_STATUS_MSG)
#undef CRF_STATUS_MSG
};

const char *
crf_status_str(crf_status st)
{
	if ((unsigned)st >= CRF_STATUS_COUNT)
		return "unknown error";
	return status_msgs[st];
}

crf_status
crf_fail(crf_err *err, crf_status st, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return st;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return st;
}
