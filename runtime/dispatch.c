/*
 * Chooses the kernel backend. The scalar backend is the only one built so
 * far; SIMD and GPU backends join the same table (see backends/kernels.h).
 */
#include "backends/kernels.h"
#include "rq/rq.h"

const rq_kernels *rq_kernels_active(void)
{
    return rq_kernels_scalar();
}

rq_status rq_backend_active(const char **name)
{
    if (!name)
        return RQ_ERR_INVALID_ARGUMENT;
    *name = rq_kernels_active()->name;
    return RQ_OK;
}
