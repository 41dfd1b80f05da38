/* SPDX-License-Identifier: GPL-2.0 */
/*
 * paths.h - file system paths pinholed and pinholectl agree on.
 *
 * PINHOLE_CTL_PATH: pinholed's control socket, by default. Its directory
 * is the systemd unit's RuntimeDirectory=pinhole; pinholed creates it
 * (mode 0755) when it is missing, so that a daemon started by hand finds
 * the same path as pinholectl.
 */
#ifndef PINHOLE_AGENT_PATHS_H
#define PINHOLE_AGENT_PATHS_H

#define PINHOLE_RUN_DIR		"/run/pinhole"
#define PINHOLE_CTL_PATH	PINHOLE_RUN_DIR "/pinholed.sock"

#endif /* PINHOLE_AGENT_PATHS_H */
