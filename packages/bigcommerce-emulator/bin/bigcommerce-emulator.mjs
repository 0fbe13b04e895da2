#!/usr/bin/env node
// Placeholder: the emulator engineer replaces this.
import '../dist/cli.js';
