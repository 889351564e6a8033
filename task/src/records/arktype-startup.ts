/**
 * Import first in an entry point (the worker entry; main.ts), before anything loads arktype:
 * its built-in keyword types (string.email, number.integer, …) are then not compiled at
 * start-up, which halves arktype's start-up cost (about 250 of 500 ms of CPU per thread on a
 * slow core, paid by every thread that loads it). The record schema and rules compile their
 * own types all the same (their scope sets `jitless: false`); other types still work, checked
 * without generated code.
 */
import { configure } from "arktype/config";

configure({ jitless: true });
