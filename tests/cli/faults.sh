#!/usr/bin/env bash
# SPDX-License-Identifier: MPL-2.0
. "$(dirname "$0")/lib.sh"
finish
