/* Masking (RFC 6455 §5.3) against a byte-at-a-time reference. */
#include "guard.h"
#include "tap.h"
#include "wscodec/mask.h"

static void reference(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[4],
                      uint64_t offset)
{
    for (size_t i = 0; i < len; i++)
        dst[i] = src[i] ^ key[(offset + i) % 4];
}

int main(void)
{
    static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    uint8_t src[1100], want[1100], got[1200];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)(i * 131 + 17);

    int bad_copy = 0, bad_inplace = 0, touched = 0, cases = 0;
    for (size_t len = 0; len <= 1030; len += (len < 140 ? 1 : 37))
        for (uint64_t offset = 0; offset < 8; offset++)
            for (size_t align = 0; align < 16; align += 3) {
                cases++;
                reference(want, src, len, key, offset);
                memset(got, 0xaa, sizeof got);
                ws_mask_copy(got + align + 8, src, len, key, offset);
                if (memcmp(got + align + 8, want, len) != 0)
                    bad_copy++;
                for (size_t i = 0; i < align + 8; i++)
                    touched += got[i] != 0xaa;
                for (size_t i = align + 8 + len; i < sizeof got; i++)
                    touched += got[i] != 0xaa;
                memcpy(got + align, src, len);
                ws_mask(got + align, len, key, offset);
                if (memcmp(got + align, want, len) != 0)
                    bad_inplace++;
            }
    is_int(bad_copy, 0, "ws_mask_copy matches the reference in %d length/offset/alignment cases",
           cases);
    is_int(bad_inplace, 0, "ws_mask in place matches the reference");
    is_int(touched, 0, "no byte outside the destination is written");

    /* Offsets past 2^32 still rotate the key by offset mod 4. */
    reference(want, src, 64, key, 3);
    memcpy(got, src, 64);
    ws_mask(got, 64, key, (1ull << 40) + 3);
    is_mem(got, 64, want, 64, "a 2^40+3 offset rotates like offset 3");

    /* Unmasking in pieces equals unmasking whole, at every split point. */
    int split_bad = 0;
    reference(want, src, 300, key, 0);
    for (size_t cut = 0; cut <= 300; cut++) {
        memcpy(got, src, 300);
        ws_mask(got, cut, key, 0);
        ws_mask(got + cut, 300 - cut, key, cut);
        split_bad += memcmp(got, want, 300) != 0;
    }
    is_int(split_bad, 0, "unmasking in two pieces equals one piece at all 301 cuts");

    /* The last byte sits before an unreadable page: any over-read crashes. */
    for (size_t len = 0; len < 70; len++) {
        guarded g = guard_copy(src, len);
        guarded d = guard_copy(src, len);
        ws_mask_copy(d.data, g.data, len, key, len);
        ws_mask(g.data, len, key, len);
        if (len)
            split_bad += memcmp(d.data, g.data, len) != 0;
        guard_free(&g);
        guard_free(&d);
    }
    is_int(split_bad, 0, "buffers ending at an unreadable page are masked without over-read");

    /* Masking twice is the identity. */
    memcpy(got, src, 1000);
    ws_mask(got, 1000, key, 1);
    ws_mask(got, 1000, key, 1);
    is_mem(got, 1000, src, 1000, "masking twice restores the input");
    return done_testing();
}
