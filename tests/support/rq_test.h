/*
 * Shared helpers for the Catch2 tests: rq_status printed by name in failure
 * messages, owning handles for the codec objects, and small one-liners.
 */
#ifndef RQ_TEST_RQ_TEST_H
#define RQ_TEST_RQ_TEST_H

#include <rq/rq.h>

#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace Catch {
template <> struct StringMaker<rq_status> {
    static std::string convert(rq_status status)
    {
        return std::string(rq_status_name(status)) + " (" + std::to_string(static_cast<int>(status)) + ")";
    }
};
} // namespace Catch

namespace rqt {

struct EncoderDeleter {
    void operator()(rq_encoder *p) const { rq_encoder_destroy(p); }
};
struct DecoderDeleter {
    void operator()(rq_decoder *p) const { rq_decoder_destroy(p); }
};
struct ObjectEncoderDeleter {
    void operator()(rq_object_encoder *p) const { rq_object_encoder_destroy(p); }
};
struct ObjectDecoderDeleter {
    void operator()(rq_object_decoder *p) const { rq_object_decoder_destroy(p); }
};
struct ContextDeleter {
    void operator()(rq_context *p) const { rq_context_destroy(p); }
};
using Context = std::unique_ptr<rq_context, ContextDeleter>;
using Encoder = std::unique_ptr<rq_encoder, EncoderDeleter>;
using Decoder = std::unique_ptr<rq_decoder, DecoderDeleter>;
using ObjectEncoder = std::unique_ptr<rq_object_encoder, ObjectEncoderDeleter>;
using ObjectDecoder = std::unique_ptr<rq_object_decoder, ObjectDecoderDeleter>;

/* A fresh context (every parameter at its default). */
inline Context make_context()
{
    rq_context *raw = nullptr;
    REQUIRE(rq_context_create(&raw) == RQ_OK);
    return Context(raw);
}

/* The process's default context. */
inline rq_context *default_context()
{
    rq_context *ctx = nullptr;
    REQUIRE(rq_context_default(&ctx) == RQ_OK);
    return ctx;
}

/* The coders below are made in ctx, or in the default context when it is nullptr. */
inline Encoder make_encoder(uint32_t K, size_t T, const std::vector<uint8_t> &source,
                            rq_context *ctx = nullptr)
{
    rq_encoder *raw = nullptr;
    rq_status st = ctx ? rq_encoder_create_in(ctx, &raw, K, T, source.data(), source.size())
                       : rq_encoder_create(&raw, K, T, source.data(), source.size());
    REQUIRE(st == RQ_OK);
    REQUIRE(raw != nullptr);
    return Encoder(raw);
}

inline Decoder make_decoder(uint32_t K, size_t T, rq_context *ctx = nullptr)
{
    rq_decoder *raw = nullptr;
    rq_status st = ctx ? rq_decoder_create_in(ctx, &raw, K, T) : rq_decoder_create(&raw, K, T);
    REQUIRE(st == RQ_OK);
    REQUIRE(raw != nullptr);
    return Decoder(raw);
}

inline ObjectEncoder make_object_encoder(const rq_oti &oti, const std::vector<uint8_t> &data,
                                         rq_context *ctx = nullptr)
{
    rq_object_encoder *raw = nullptr;
    rq_status st = ctx ? rq_object_encoder_create_in(ctx, &raw, &oti, data.data(), data.size())
                       : rq_object_encoder_create(&raw, &oti, data.data(), data.size());
    REQUIRE(st == RQ_OK);
    REQUIRE(raw != nullptr);
    return ObjectEncoder(raw);
}

inline ObjectDecoder make_object_decoder(const rq_oti &oti, rq_context *ctx = nullptr)
{
    rq_object_decoder *raw = nullptr;
    rq_status st = ctx ? rq_object_decoder_create_in(ctx, &raw, &oti)
                       : rq_object_decoder_create(&raw, &oti);
    REQUIRE(st == RQ_OK);
    REQUIRE(raw != nullptr);
    return ObjectDecoder(raw);
}

inline std::vector<uint8_t> encoder_symbol(const rq_encoder *encoder, uint32_t esi, size_t T)
{
    std::vector<uint8_t> out(T);
    rq_status st = rq_encoder_symbol(encoder, esi, out.data(), out.size());
    REQUIRE(st == RQ_OK);
    return out;
}

inline std::vector<uint8_t> object_packet(rq_object_encoder *encoder, uint32_t sbn, uint32_t esi, size_t T)
{
    std::vector<uint8_t> out(RQ_PAYLOAD_ID_SIZE + T);
    rq_status st = rq_object_encoder_packet(encoder, sbn, esi, out.data(), out.size());
    REQUIRE(st == RQ_OK);
    return out;
}

inline uint32_t held_count(const rq_decoder *decoder)
{
    uint32_t held = 0;
    rq_status st = rq_decoder_symbols_held(decoder, &held);
    REQUIRE(st == RQ_OK);
    return held;
}

inline uint32_t needed_count(const rq_decoder *decoder)
{
    uint32_t needed = 0;
    rq_status st = rq_decoder_symbols_needed(decoder, &needed);
    REQUIRE(st == RQ_OK);
    return needed;
}

inline rq_block_status block_status(const rq_object_decoder *decoder, uint32_t sbn)
{
    rq_block_status status{};
    rq_status st = rq_object_decoder_block_status(decoder, sbn, &status);
    REQUIRE(st == RQ_OK);
    return status;
}

inline bool object_complete(const rq_object_decoder *decoder)
{
    int complete = -1;
    rq_status st = rq_object_decoder_complete(decoder, &complete);
    REQUIRE(st == RQ_OK);
    return complete == 1;
}

} // namespace rqt

#endif
