# Independent XChaCha20-Poly1305-IETF: HChaCha20 written here from RFC 8439 / draft-irtf-cfrg-xchacha,
# then the IETF ChaCha20-Poly1305 of pyca/cryptography (OpenSSL).
import struct
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

def rotl(v, c): return ((v << c) & 0xffffffff) | (v >> (32 - c))
def qr(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & 0xffffffff; s[d] = rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & 0xffffffff; s[b] = rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & 0xffffffff; s[d] = rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & 0xffffffff; s[b] = rotl(s[b] ^ s[c], 7)

def hchacha20(key, nonce16):
    s = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574] + list(struct.unpack('<8I', key)) + list(struct.unpack('<4I', nonce16))
    for _ in range(10):
        qr(s, 0, 4, 8, 12); qr(s, 1, 5, 9, 13); qr(s, 2, 6, 10, 14); qr(s, 3, 7, 11, 15)
        qr(s, 0, 5, 10, 15); qr(s, 1, 6, 11, 12); qr(s, 2, 7, 8, 13); qr(s, 3, 4, 9, 14)
    return struct.pack('<8I', *(s[0:4] + s[12:16]))

def xchacha_seal(key, nonce24, plaintext, ad):
    sub = hchacha20(key, nonce24[:16])
    return ChaCha20Poly1305(sub).encrypt(b'\0' * 4 + nonce24[16:], plaintext, ad)

if __name__ == '__main__':
    # draft-irtf-cfrg-xchacha-03, 2.2.1 and A.3.1
    k = bytes(range(32))
    n = bytes.fromhex('000000090000004a0000000031415927')
    assert hchacha20(k, n).hex() == '82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc', hchacha20(k, n).hex()
    pt = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."
    out = xchacha_seal(bytes(range(0x80, 0xa0)), bytes(range(0x40, 0x58)), pt, bytes.fromhex('50515253c0c1c2c3c4c5c6c7'))
    print(out[-16:].hex())
    assert out[-16:].hex() == 'c0875924c1c7987947deafd8780acf49'
    print('ok')
