#!/usr/bin/env bun
// `demo <command>`: the one binary behind every workload.
import { commands } from "./commands";
import { dispatch } from "./lib/command";

const code = await dispatch(commands, process.argv.slice(2));
if (code !== undefined) process.exit(code);
