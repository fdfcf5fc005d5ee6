import type { IncomingHttpHeaders } from 'node:http';
import type { Attributes } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { setAddressAttributes } from './forwarded-address.js';

const PEER = '10.0.0.2';

function addresses(headers: IncomingHttpHeaders, scheme: 'http' | 'https' = 'http'): Attributes {
  const attributes: Attributes = {};
  setAddressAttributes(attributes, { headers, socket: { remoteAddress: PEER, remotePort: 51234 } }, scheme);
  return attributes;
}

const client = (headers: IncomingHttpHeaders) => addresses(headers)['client.address'];
const server = (headers: IncomingHttpHeaders, scheme: 'http' | 'https' = 'http') => {
  const attributes = addresses(headers, scheme);
  return [attributes['server.address'], attributes['server.port']];
};

describe('setAddressAttributes', () => {
  it('keeps network.peer.* on the socket whatever the headers say', () => {
    expect(addresses({ forwarded: 'for=192.0.2.1', 'x-forwarded-for': '192.0.2.2' })).toEqual({
      'url.scheme': 'http',
      'client.address': '192.0.2.1',
      'network.peer.address': PEER,
      'network.peer.port': 51234,
    });
  });

  it('sets only the local scheme when it knows nothing else', () => {
    const attributes: Attributes = {};
    setAddressAttributes(attributes, { headers: {}, socket: {} }, 'https');
    expect(attributes).toEqual({ 'url.scheme': 'https' });
  });

  it.each<[string, IncomingHttpHeaders, 'http' | 'https', string]>([
    ['no proxy headers', {}, 'http', 'http'],
    ['no proxy headers on an https server', {}, 'https', 'https'],
    ['X-Forwarded-Proto', { 'x-forwarded-proto': 'https' }, 'http', 'https'],
    [
      'the first X-Forwarded-Proto entry, in any case',
      { 'x-forwarded-proto': 'HTTPS, http' },
      'http',
      'https',
    ],
    ['X-Forwarded-Proto saying http to an https server', { 'x-forwarded-proto': 'http' }, 'https', 'http'],
    ['Forwarded proto=', { forwarded: 'for=192.0.2.1;proto=https' }, 'http', 'https'],
    [
      'Forwarded proto= before X-Forwarded-Proto',
      { forwarded: 'proto=http', 'x-forwarded-proto': 'https' },
      'https',
      'http',
    ],
    // Forgeable headers feed a metric attribute: an unknown scheme must not add a series.
    ['an X-Forwarded-Proto that is no HTTP scheme', { 'x-forwarded-proto': 'gopher' }, 'http', 'http'],
    ['a Forwarded proto= that is no HTTP scheme', { forwarded: 'proto=wss' }, 'https', 'https'],
    ['an empty X-Forwarded-Proto', { 'x-forwarded-proto': ' ' }, 'http', 'http'],
  ])('url.scheme from %s', (_case, headers, scheme, expected) => {
    expect(addresses(headers, scheme)['url.scheme']).toBe(expected);
  });

  it.each<[string, IncomingHttpHeaders, string]>([
    ['no proxy headers', {}, PEER],
    ['IPv4 for=', { forwarded: 'for=192.0.2.43' }, '192.0.2.43'],
    ['IPv4 for= with a port', { forwarded: 'for="192.0.2.43:4711"' }, '192.0.2.43'],
    // RFC 7239 wants a value with ":" quoted; upstream's parser refuses it too.
    ['unquoted IPv4 for= with a port', { forwarded: 'for=192.0.2.43:4711' }, PEER],
    ['bracketed IPv6 for= with a port', { forwarded: 'for="[2001:db8:cafe::17]:4711"' }, '2001:db8:cafe::17'],
    ['bracketed IPv6 for=', { forwarded: 'for="[2001:db8:cafe::17]"' }, '2001:db8:cafe::17'],
    ['the first element with for=', { forwarded: 'proto=https, for=192.0.2.1, for=192.0.2.2' }, '192.0.2.1'],
    ['names in any case', { forwarded: 'FOR=192.0.2.1;Proto=http' }, '192.0.2.1'],
    ['escapes in a quoted value', { forwarded: 'by="a\\"b";for="192.0.2.\\1"' }, '192.0.2.1'],
    [
      'Forwarded before X-Forwarded-For',
      { forwarded: 'for=192.0.2.1', 'x-forwarded-for': '192.0.2.2' },
      '192.0.2.1',
    ],
    ['the first X-Forwarded-For entry', { 'x-forwarded-for': ' 192.0.2.9 , 10.0.0.1' }, '192.0.2.9'],
    ['a bare IPv6 X-Forwarded-For entry', { 'x-forwarded-for': '2001:db8::9, 10.0.0.1' }, '2001:db8::9'],
    ['an IPv4 X-Forwarded-For entry with a port', { 'x-forwarded-for': '192.0.2.9:1234' }, '192.0.2.9'],
    ['repeated header lines', { 'x-forwarded-for': ['192.0.2.9', '10.0.0.1'] }, '192.0.2.9'],
    [
      'for=unknown, falling back to X-Forwarded-For',
      { forwarded: 'for=unknown', 'x-forwarded-for': '192.0.2.9' },
      '192.0.2.9',
    ],
    ['an obfuscated for=', { forwarded: 'for=_hidden' }, PEER],
    ['a host name in for=', { forwarded: 'for=client.example.com' }, PEER],
    ['an unterminated quote', { forwarded: 'for="192.0.2.1' }, PEER],
    ['an unterminated bracket', { forwarded: 'for="[2001:db8::1"' }, PEER],
    ['text after a bracket', { forwarded: 'for="[2001:db8::1]x"' }, PEER],
    ['a pair without "="', { forwarded: 'for' }, PEER],
    ['an empty value', { forwarded: 'for=;host=a' }, PEER],
    ['text after a quoted value', { forwarded: 'for="192.0.2.1"x' }, PEER],
    ['an element after a malformed one', { forwarded: 'by=a b, for=192.0.2.1' }, PEER],
    ['an empty Forwarded header', { forwarded: '' }, PEER],
    ['X-Forwarded-For garbage', { 'x-forwarded-for': 'not-an-ip, 192.0.2.1' }, PEER],
    ['an empty first X-Forwarded-For entry', { 'x-forwarded-for': ', 192.0.2.1' }, PEER],
  ])('client.address from %s', (_case, headers, expected) => {
    expect(client(headers)).toBe(expected);
  });

  it('ignores the whole Forwarded header when part of it is malformed, as upstream does', () => {
    expect(client({ forwarded: 'for=192.0.2.1, for="oops', 'x-forwarded-for': '192.0.2.9' })).toBe(
      '192.0.2.9',
    );
  });

  it.each<[string, IncomingHttpHeaders, 'http' | 'https', unknown[]]>([
    ['Host with a port', { host: 'example.com:8080' }, 'http', ['example.com', 8080]],
    ['Host without a port, over http', { host: 'example.com' }, 'http', ['example.com', 80]],
    ['Host without a port, over https', { host: 'example.com' }, 'https', ['example.com', 443]],
    ['Host with an empty port', { host: 'example.com:' }, 'https', ['example.com', 443]],
    [
      'Host without a port behind a TLS-terminating proxy',
      { host: 'example.com', 'x-forwarded-proto': 'https' },
      'http',
      ['example.com', 443],
    ],
    ['bracketed IPv6 Host', { host: '[::1]:3000' }, 'http', ['[::1]', 3000]],
    ['bracketed IPv6 Host without a port', { host: '[::1]' }, 'http', ['[::1]', 80]],
    [
      'Forwarded host= with its element’s proto=',
      { forwarded: 'for=192.0.2.1, host=shop.example.com;proto=HTTPS', host: 'internal:8080' },
      'http',
      ['shop.example.com', 443],
    ],
    [
      'Forwarded host= with a port',
      { forwarded: 'host="shop.example.com:8443"' },
      'http',
      ['shop.example.com', 8443],
    ],
    ['Forwarded IPv6 host=', { forwarded: 'host="[2001:db8::1]:8443"' }, 'http', ['[2001:db8::1]', 8443]],
    [
      'Forwarded host= without proto=',
      { forwarded: 'host=shop.example.com' },
      'http',
      ['shop.example.com', undefined],
    ],
    [
      'Forwarded before X-Forwarded-Host',
      { forwarded: 'host=a.example.com', 'x-forwarded-host': 'b.example.com' },
      'http',
      ['a.example.com', undefined],
    ],
    [
      'X-Forwarded-Host with X-Forwarded-Proto',
      {
        'x-forwarded-host': 'shop.example.com, proxy.internal',
        'x-forwarded-proto': 'https, http',
        host: 'x',
      },
      'http',
      ['shop.example.com', 443],
    ],
    [
      'X-Forwarded-Host with a port',
      { 'x-forwarded-host': 'shop.example.com:8443' },
      'https',
      ['shop.example.com', 8443],
    ],
    [
      'a bad Forwarded host=, falling back to X-Forwarded-Host',
      { forwarded: 'host="a b"', 'x-forwarded-host': 'b.example.com:81' },
      'http',
      ['b.example.com', 81],
    ],
    [
      'a bad X-Forwarded-Host, falling back to Host',
      { 'x-forwarded-host': 'b.example.com:99999', host: 'c.example.com:82' },
      'http',
      ['c.example.com', 82],
    ],
    ['an unbracketed IPv6 Host', { host: '2001:db8::1' }, 'http', [undefined, undefined]],
    ['a port that is not a number', { host: 'example.com:http' }, 'http', [undefined, undefined]],
    ['a bracket that is not IPv6', { host: '[example.com]:80' }, 'http', [undefined, undefined]],
    ['an empty host', { host: ':80' }, 'http', [undefined, undefined]],
    ['no Host', {}, 'http', [undefined, undefined]],
  ])('server.address and server.port from %s', (_case, headers, scheme, expected) => {
    expect(server(headers, scheme)).toEqual(expected);
  });
});
