import request from 'supertest';
import { expect } from '../chai';
import { setup } from './helpers';

/** The src and href of every script, stylesheet and icon of a page. */
const assetsOf = (html: string) => [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');

describe('http docs (Swagger UI)', () => {
  it('when /docs is opened, then the Swagger UI page loads its scripts from the gateway, none inline, none from a CDN', async () => {
    const { call } = setup();
    const res = await call('docs');
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^text\/html/);
    expect(res.text).to.include('<div id="swagger-ui"></div>');
    expect(assetsOf(res.text)).to.include.members(['/docs/swagger-ui-bundle.js', '/docs/swagger-initializer.js', '/docs/swagger-ui.css']);
    expect(res.text).to.not.match(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.text).to.not.match(/(?:src|href)="(?:https?:)?\/\//);
  });

  it('when /docs is opened, then helmet’s CSP is on and allows scripts from the gateway only', async () => {
    const { call } = setup();
    const csp = (await call('docs')).headers['content-security-policy'] as string;
    const scriptSrc = /(?:^|;)\s*script-src ([^;]*)/.exec(csp)?.[1];
    expect(scriptSrc?.trim()).to.equal("'self'");
  });

  it('when the page’s assets are fetched, then each is served with its type', async () => {
    const { app, call } = setup();
    for (const asset of assetsOf((await call('docs')).text)) {
      const res = await request(app).get(asset);
      expect(res.status, asset).to.equal(200);
      if (asset.endsWith('.js')) expect(res.headers['content-type'], asset).to.match(/javascript/);
      if (asset.endsWith('.css')) expect(res.headers['content-type'], asset).to.match(/^text\/css/);
    }
    const bundle = await request(app).get('/docs/swagger-ui-bundle.js');
    expect(bundle.text.length).to.be.above(100_000);
    expect(bundle.text).to.include('SwaggerUIBundle');
  });

  it('when the initializer is fetched, then it points Swagger UI at this gateway’s /openapi.json', async () => {
    const { app } = setup();
    const res = await request(app).get('/docs/swagger-initializer.js');
    expect(res.text).to.include("url: '/openapi.json'").and.include('SwaggerUIBundle(');
    expect(res.text).to.not.include('petstore');
  });

  it('when other files of the package are asked for, then 404 (its own index.html points at the petstore)', async () => {
    const { app } = setup();
    for (const path of ['/docs/index.html', '/docs/swagger-ui-es-bundle.js', '/docs/package.json', '/docs/../package.json']) {
      expect((await request(app).get(path)).status, path).to.equal(404);
    }
  });
});
