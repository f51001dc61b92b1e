/*
 * The process's default context: what the plain *_create functions and the
 * file-level sessions code in. It is made on first use with every parameter
 * at its default and lives as long as the process.
 */
#ifndef RQ_RUNTIME_DEFAULT_CONTEXT_H
#define RQ_RUNTIME_DEFAULT_CONTEXT_H

#include "backends/kernels.h"
#include "rq/rq.h"

rq_context *rq_default_context(void);
/* The kernels the default context codes with (NULL if it cannot code). */
const rq_kernels *rq_default_context_kernels(void);

#endif
