import test from 'ava';
import { nextLink } from '../../src/registry/catalog.ts';

const base = 'http://localhost:5001/v2/_catalog?n=1000';

test('next links, relative and absolute', (t) => {
  t.is(nextLink('</v2/_catalog?last=b&n=1000>; rel="next"', base), 'http://localhost:5001/v2/_catalog?last=b&n=1000');
  t.is(nextLink('<https://other.example/v2/x/tags/list?last=1&n=2>; rel=next', base), 'https://other.example/v2/x/tags/list?last=1&n=2');
  t.is(nextLink('<?last=z&n=5>;rel="next"', base), 'http://localhost:5001/v2/_catalog?last=z&n=5');
});

test('several links, only next counts', (t) => {
  t.is(nextLink('</v2/_catalog?last=a>; rel="prev", </v2/_catalog?last=c>; rel="next"', base), 'http://localhost:5001/v2/_catalog?last=c');
  t.is(nextLink('</v2/_catalog?last=a>; rel="prev"', base), undefined);
  t.is(nextLink('</a,b>; rel="first next"', base), 'http://localhost:5001/a,b');
});

test('no link', (t) => {
  t.is(nextLink(undefined, base), undefined);
  t.is(nextLink('', base), undefined);
  t.is(nextLink('garbage', base), undefined);
});
