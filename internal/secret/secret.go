// Package secret encrypts channel secrets (access tokens, app secrets) at rest
// with AES-256-GCM under WADESK_SECRET_KEY.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// KeySize is the length of the key in bytes (AES-256).
const KeySize = 32

// version prefixes every ciphertext so the scheme can change later.
const version = "v1:"

// Box seals and opens secrets with one key.
type Box struct {
	aead cipher.AEAD
}

// NewBox returns a Box for a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret: key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	return &Box{aead: aead}, nil
}

// ParseKey decodes a base64 (standard or URL alphabet, padded or not) key.
func ParseKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(s); err == nil {
			if len(key) != KeySize {
				return nil, fmt.Errorf("secret: key must decode to %d bytes, got %d", KeySize, len(key))
			}
			return key, nil
		}
	}
	return nil, errors.New("secret: key is not valid base64")
}

// NewKey returns a fresh random key, base64 encoded.
func NewKey() string {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		panic("secret: crypto/rand failed: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(key)
}

// Seal encrypts plaintext; the result is printable and safe to store.
// The associated data binds a ciphertext to its place (e.g. "channel:access_token"),
// so a ciphertext copied into another column does not decrypt.
func (b *Box) Seal(plaintext, associated string) (string, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("secret: nonce: %w", err)
	}
	sealed := b.aead.Seal(nonce, nonce, []byte(plaintext), []byte(associated))
	return version + base64.RawStdEncoding.EncodeToString(sealed), nil
}

// Open decrypts a value made by Seal with the same associated data.
func (b *Box) Open(ciphertext, associated string) (string, error) {
	if len(ciphertext) < len(version) || ciphertext[:len(version)] != version {
		return "", errors.New("secret: unknown ciphertext format")
	}
	raw, err := base64.RawStdEncoding.DecodeString(ciphertext[len(version):])
	if err != nil {
		return "", fmt.Errorf("secret: decode: %w", err)
	}
	n := b.aead.NonceSize()
	if len(raw) < n {
		return "", errors.New("secret: ciphertext too short")
	}
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], []byte(associated))
	if err != nil {
		return "", errors.New("secret: cannot decrypt (wrong WADESK_SECRET_KEY?)")
	}
	return string(plain), nil
}
