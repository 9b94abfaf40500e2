package dev.vfiosim.simulator.device.state;

/**
 * A record type's layout as an older version wrote it. Loading that version decodes into this
 * type, then {@link #upgrade()} fills what the old version did not carry.
 *
 * @param <R> the newest layout
 */
public interface OlderLayout<R extends Record> {
    /** The upgrade step: the newest form of this state, with defaults for fields added since. */
    R upgrade();
}
