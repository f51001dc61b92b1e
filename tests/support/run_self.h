/*
 * Re-running the test executable itself in a fresh process with one
 * environment variable set: for settings the library reads once per
 * process (RQ_BACKEND, RQ_BLAKE3). Every test executable is built with
 * RQ_TEST_SELF, its own path.
 */
#ifndef RQ_TEST_RUN_SELF_H
#define RQ_TEST_RUN_SELF_H

namespace rqt {

/*
 * Runs the hidden test case test_name of the executable self with
 * var=value in its environment (under RQ_TEST_EMULATOR for cross builds,
 * its output discarded); returns its exit code, 0 when all its checks passed.
 */
int run_self_at(const char *self, const char *var, const char *value, const char *test_name);

#ifdef RQ_TEST_SELF
inline int run_self(const char *var, const char *value, const char *test_name)
{
    return run_self_at(RQ_TEST_SELF, var, value, test_name);
}
#endif

} // namespace rqt

#endif
