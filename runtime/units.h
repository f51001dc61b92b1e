/* Byte units for budgets, buffer sizes and messages. */
#ifndef RQ_RUNTIME_UNITS_H
#define RQ_RUNTIME_UNITS_H

#define RQ_MIB (1024ull * 1024ull)

#endif
