/*
 * JNI glue of the Hadoop codec (bindings/java): the k+m raw coder of
 * include/rq/rq_ec.h over direct ByteBuffers with offsets. Each Java coder
 * holds one rq_ec_coder (a jlong handle) in its own context; a failure
 * throws java.io.IOException with librq's status name and message.
 */
#include <jni.h>
#include <stdio.h>
#include <stdlib.h>

#include <rq/rq_ec.h>

#define MAX_UNITS ((jsize)RQ_EC_MAX_UNITS)


typedef struct jni_coder {
    rq_context *ctx;
    rq_ec_coder *coder;
} jni_coder;

static void throw_io(JNIEnv *env, const char *what, rq_status st, rq_context *ctx)
{
    char msg[512], why[256] = "";
    if (ctx)
        rq_context_last_error(ctx, why, sizeof why);
    snprintf(msg, sizeof msg, "%s: %s%s%s", what, rq_status_name(st), why[0] ? ": " : "", why);
    jclass cls = (*env)->FindClass(env, "java/io/IOException");
    if (cls)
        (*env)->ThrowNew(env, cls, msg);
}

JNIEXPORT jlong JNICALL Java_org_apache_hadoop_io_erasurecode_rawcoder_NativeRaptorQ_create(
    JNIEnv *env, jclass cls, jint k, jint m, jint scheme)
{
    (void)cls;
    jni_coder *c = calloc(1, sizeof *c);
    rq_status st = c ? rq_context_create(&c->ctx) : RQ_ERR_NO_MEMORY;
    if (st == RQ_OK && (k < 1 || m < 1))
        st = RQ_ERR_INVALID_ARGUMENT;
    if (st == RQ_OK)
        st = rq_ec_coder_create_in(c->ctx, &c->coder, (uint32_t)k, (uint32_t)m, (rq_ec_scheme)scheme);
    if (st != RQ_OK) {
        throw_io(env, "creating the RaptorQ coder", st, c ? c->ctx : NULL);
        if (c && c->ctx)
            rq_context_destroy(c->ctx);
        free(c);
        return 0;
    }
    return (jlong)(intptr_t)c;
}

JNIEXPORT void JNICALL Java_org_apache_hadoop_io_erasurecode_rawcoder_NativeRaptorQ_destroy(
    JNIEnv *env, jclass cls, jlong handle)
{
    (void)env, (void)cls;
    jni_coder *c = (jni_coder *)(intptr_t)handle;
    if (c) {
        rq_ec_coder_destroy(c->coder);
        rq_context_destroy(c->ctx);
        free(c);
    }
}

JNIEXPORT jint JNICALL Java_org_apache_hadoop_io_erasurecode_rawcoder_NativeRaptorQ_parityEsi(
    JNIEnv *env, jclass cls, jlong handle, jint j)
{
    (void)cls;
    jni_coder *c = (jni_coder *)(intptr_t)handle;
    uint32_t esi = 0;
    rq_status st = rq_ec_parity_esi(c->coder, (uint32_t)j, &esi);
    if (st != RQ_OK)
        throw_io(env, "parity ESI", st, c->ctx);
    return (jint)esi;
}

/*
 * The addresses of buffers[i] + offsets[i] (NULL for a null buffer when
 * nulls are allowed); 0 and an exception when one is not direct.
 */
static int addresses(JNIEnv *env, jobjectArray buffers, jintArray offsets, int allow_null,
                     uint8_t **out, jsize *count)
{
    jsize n = (*env)->GetArrayLength(env, buffers);
    if ((*env)->GetArrayLength(env, offsets) != n)
        return 0;
    jint *off = (*env)->GetIntArrayElements(env, offsets, NULL);
    int ok = off != NULL;
    for (jsize i = 0; ok && i < n; i++) {
        jobject b = (*env)->GetObjectArrayElement(env, buffers, i);
        uint8_t *p = b ? (*env)->GetDirectBufferAddress(env, b) : NULL;
        if (b)
            (*env)->DeleteLocalRef(env, b);
        if (!p && (b || !allow_null)) {
            ok = 0;
            break;
        }
        out[i] = p ? p + off[i] : NULL;
    }
    if (off)
        (*env)->ReleaseIntArrayElements(env, offsets, off, JNI_ABORT);
    *count = n;
    return ok;
}

JNIEXPORT void JNICALL Java_org_apache_hadoop_io_erasurecode_rawcoder_NativeRaptorQ_encode(
    JNIEnv *env, jclass cls, jlong handle, jobjectArray inputs, jintArray in_offsets,
    jobjectArray outputs, jintArray out_offsets, jint len)
{
    (void)cls;
    jni_coder *c = (jni_coder *)(intptr_t)handle;
    uint8_t *in[RQ_EC_MAX_UNITS], *out[RQ_EC_MAX_UNITS];
    jsize n_in = 0, n_out = 0;
    if ((*env)->GetArrayLength(env, inputs) > MAX_UNITS ||
        (*env)->GetArrayLength(env, outputs) > MAX_UNITS ||
        !addresses(env, inputs, in_offsets, 0, in, &n_in) ||
        !addresses(env, outputs, out_offsets, 0, out, &n_out)) {
        throw_io(env, "encode needs direct buffers, one offset each", RQ_ERR_INVALID_ARGUMENT, NULL);
        return;
    }
    rq_status st = rq_ec_encode(c->coder, (const uint8_t *const *)in, out, (size_t)len);
    if (st != RQ_OK)
        throw_io(env, "encode", st, c->ctx);
}

JNIEXPORT void JNICALL Java_org_apache_hadoop_io_erasurecode_rawcoder_NativeRaptorQ_decode(
    JNIEnv *env, jclass cls, jlong handle, jobjectArray inputs, jintArray in_offsets,
    jintArray erased, jobjectArray outputs, jintArray out_offsets, jint len)
{
    (void)cls;
    jni_coder *c = (jni_coder *)(intptr_t)handle;
    uint8_t *in[RQ_EC_MAX_UNITS], *out[RQ_EC_MAX_UNITS];
    uint32_t idx[RQ_EC_MAX_UNITS];
    jsize n_in = 0, n_out = 0, n_erased = (*env)->GetArrayLength(env, erased);
    if ((*env)->GetArrayLength(env, inputs) > MAX_UNITS ||
        (*env)->GetArrayLength(env, outputs) > MAX_UNITS || n_erased > MAX_UNITS ||
        !addresses(env, inputs, in_offsets, 1, in, &n_in) ||
        !addresses(env, outputs, out_offsets, 0, out, &n_out) || n_out != n_erased) {
        throw_io(env, "decode needs direct buffers, one offset each, an output per erased index",
                 RQ_ERR_INVALID_ARGUMENT, NULL);
        return;
    }
    jint *e = (*env)->GetIntArrayElements(env, erased, NULL);
    for (jsize a = 0; e && a < n_erased; a++)
        idx[a] = e[a] < 0 ? UINT32_MAX : (uint32_t)e[a];
    if (e)
        (*env)->ReleaseIntArrayElements(env, erased, e, JNI_ABORT);
    rq_status st = rq_ec_decode(c->coder, (const uint8_t *const *)in, idx, (size_t)n_erased, out,
                                (size_t)len);
    if (st != RQ_OK)
        throw_io(env, "decode", st, c->ctx);
}
