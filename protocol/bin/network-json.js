#!/usr/bin/env node
'use strict';
process.exitCode = require('../dist/network-json-cli').main(process.argv.slice(2));
