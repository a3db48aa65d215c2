#!/usr/bin/env node
import '../dist/keyward.js';
