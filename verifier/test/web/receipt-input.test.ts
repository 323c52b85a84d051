import { expect } from 'chai';
import { base64UrlDecode, base64UrlEncode, receiptFromFields, receiptFromLocation, receiptFromText, receiptLink } from '../../src/web/receipt-input';

const receipt = { pollId: 'p-1', ballotId: 'a'.repeat(64), txId: 'b'.repeat(64), ballotHash: 'c'.repeat(64) };

describe('receipt input', () => {
  describe('receiptLink', () => {
    it('puts the receipt in the fragment, so it never reaches a server, and reads back the same', () => {
      const link = receiptLink('https://observer.example/verify.html?x=1#old', receipt);
      const url = new URL(link);
      expect(url.search).to.equal('');
      expect(url.hash).to.match(/^#receipt=[A-Za-z0-9_-]+$/);
      expect(receiptFromLocation(url)).to.deep.equal({ ok: true, receipt });
    });
  });

  describe('receiptFromLocation', () => {
    it('reads the fields from query parameters', () => {
      const search = `?pollId=p-1&ballotId=${receipt.ballotId}&txId=${receipt.txId}`;
      const withoutHash = { pollId: receipt.pollId, ballotId: receipt.ballotId, txId: receipt.txId };
      expect(receiptFromLocation({ hash: '', search })).to.deep.equal({ ok: true, receipt: withoutHash });
    });

    it('returns undefined when the address carries no receipt', () => {
      expect(receiptFromLocation({ hash: '#top', search: '?lang=en' })).to.equal(undefined);
    });

    it('explains a damaged receipt link', () => {
      const parsed = receiptFromLocation({ hash: '#receipt=%%%', search: '' });
      expect(parsed?.ok).to.equal(false);
    });

    it('refuses a link whose txId is not a transaction id', () => {
      const parsed = receiptFromLocation({ hash: `#pollId=p-1&ballotId=${receipt.ballotId}&txId=nope`, search: '' });
      expect(parsed).to.have.property('ok', false);
      expect(parsed).to.have.property('error').that.contains('txId');
    });
  });

  describe('receiptFromText', () => {
    it('takes the gateway receipt JSON and ignores its blockNumber (the verifier finds the block itself)', () => {
      expect(receiptFromText(JSON.stringify({ ...receipt, blockNumber: 7 }))).to.deep.equal({ ok: true, receipt });
    });

    it('takes a pasted receipt link', () => {
      expect(receiptFromText(receiptLink('http://127.0.0.1:8080/verify.html', receipt))).to.deep.equal({ ok: true, receipt });
    });

    it('takes field lines, upper-case hex included', () => {
      const text = `pollId: p-1\nballotId: ${receipt.ballotId.toUpperCase()}\ntxId = ${receipt.txId}\nballotHash: "${receipt.ballotHash}",`;
      expect(receiptFromText(text)).to.deep.equal({ ok: true, receipt });
    });

    it('says what is missing from an incomplete receipt', () => {
      const parsed = receiptFromText('{"pollId":"p-1"}');
      expect(parsed).to.have.property('ok', false);
      expect(parsed).to.have.property('error').that.contains('ballotId');
    });

    it('refuses text that is no receipt', () => {
      expect(receiptFromText('hello')).to.have.property('ok', false);
      expect(receiptFromText('   ')).to.have.property('ok', false);
      expect(receiptFromText('{ not json')).to.have.property('ok', false);
    });
  });

  describe('receiptFromFields', () => {
    it('trims what people type', () => {
      expect(receiptFromFields({ pollId: ' p-1 ', ballotId: ` ${receipt.ballotId}`, txId: receipt.txId })).to.have.property('ok', true);
    });

    it('takes the position of a batched ballot, typed as text or carried as a number, and refuses one that is not a position', () => {
      expect(receiptFromFields({ ...receipt, position: ' 7 ' })).to.deep.equal({ ok: true, receipt: { ...receipt, position: 7 } });
      expect(receiptFromText(JSON.stringify({ ...receipt, position: 7, blockNumber: 3 }))).to.deep.equal({ ok: true, receipt: { ...receipt, position: 7 } });
      expect(receiptFromLocation(new URL(receiptLink('https://observer.example/verify.html', { ...receipt, position: 0 })))).to.deep.equal({ ok: true, receipt: { ...receipt, position: 0 } });
      expect(receiptFromFields({ ...receipt, position: 'x' })).to.have.property('error').that.contains('position');
      expect(receiptFromFields({ ...receipt, position: '100' })).to.have.property('ok', false);
    });
  });

  describe('base64url', () => {
    it('round-trips non-ASCII text', () => {
      const text = '{"title":"Café ✔"}';
      expect(base64UrlDecode(base64UrlEncode(text))).to.equal(text);
      expect(base64UrlEncode(text)).not.to.match(/[+/=]/);
    });
  });
});
