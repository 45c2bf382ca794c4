# Known answers for tests/unit/tst_e2e_store.cpp, computed independently of common/e2e:
# HKDF from RFC 5869 on Python's hmac/hashlib, base64.b32encode, and XChaCha20-Poly1305
# from xchacha.py (HChaCha20 by hand + pyca/cryptography's ChaCha20Poly1305).
import base64, hashlib, hmac
from xchacha import xchacha_seal

def hkdf(salt, ikm, info, length):
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, t, i = b'', b'', 1
    while len(out) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        out += t; i += 1
    return out[:length]

k_store = bytes(range(32))
sub = {}
for name in ('columns', 'search', 'cache'):
    sub[name] = hkdf(b'\0' * 32, k_store, b'Tidings store ' + name.encode() + b' v1', 32)
    print(name, sub[name].hex())
k2 = bytes([0xff]) * 32
print('columns(ff..)', hkdf(b'\0' * 32, k2, b'Tidings store columns v1', 32).hex())

def token(kind, text):
    tag = hmac.new(sub['search'], kind + text.encode('utf-8'), hashlib.sha256).digest()
    return base64.b32encode(tag).decode().lower().rstrip('=')[:16]
for kind, text in ((b'w', 'hello'), (b'p', 'hel'), (b'p', 'hell'), (b'p', 'hello'),
                   (b'w', 'café'), (b'p', 'caf'), (b'p', 'café'), (b'w', 'hi'),
                   (b'w', 'internationalisation'), (b'p', 'internatio')):
    print(kind.decode(), repr(text), token(kind, text))

nonce = bytes(range(0x40, 0x58))
ad = b'messages' + b'\0' + b'body' + b'\0' + b'42'
value = b'\x01' + nonce + xchacha_seal(sub['columns'], nonce, 'hello, store'.encode(), ad)
print('value', value.hex())

file_key = bytes(range(0x80, 0xa0))
header = b'\x01' + bytes(range(0x10, 0x20))
def chunk(index, final, data):
    n = header[1:] + index.to_bytes(8, 'big')
    return xchacha_seal(file_key, n, data, index.to_bytes(8, 'big') + bytes([1 if final else 0]))
f = header + chunk(0, True, b'cached picture')
print('cache', f.hex())
f0 = header + chunk(0, True, b'')
print('cache empty', f0.hex())
