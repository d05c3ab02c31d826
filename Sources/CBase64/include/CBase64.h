#ifndef CBASE64_H
#define CBASE64_H

// The bulk of a standard base64 decode (RFC 4648 §4 alphabet) with AVX2, chosen at run time:
// 32 characters become 24 bytes per step. Decodes whole 32-character blocks from the start of `src`
// (`count` characters) into `dst` (`capacity` bytes) while the block is valid and its 32-byte store
// fits in `capacity`; returns how many characters it decoded (a multiple of 32; 0 without AVX2).
// The caller decodes the rest itself, which is also where a bad character is found and reported:
// a block that holds one is left undecoded.
long CBase64_decodeBlocks(const unsigned char *src, long count, unsigned char *dst, long capacity);

#endif
