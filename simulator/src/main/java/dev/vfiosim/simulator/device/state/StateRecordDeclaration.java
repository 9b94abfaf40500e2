package dev.vfiosim.simulator.device.state;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares, next to a component's fields (QEMU's VMState idea), the migration record that carries
 * them: its tag, its name for logs, its layout version, whether a reader may skip it, and the
 * layouts of its older versions.
 *
 * <p>The annotated record type is the layout of {@link #version()}. {@code olderLayouts()[k]} is
 * the layout of version {@code k + 1}: a record implementing {@link OlderLayout} of the annotated
 * type, with a constructor taking the annotated type (how a device of an older revision writes the
 * old form). Adding a field therefore means: move the old shape into an {@code OlderLayout},
 * append it to {@code olderLayouts}, bump {@code version}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface StateRecordDeclaration {
    /** Record tag, unique in the device, never 0 (END). */
    int tag();

    /** The record's name in log lines and errors. */
    String name();

    /** Layout version of the annotated type: the newest this code writes and reads. */
    int version() default 1;

    /** An optional record may be absent, and a reader that does not know it (or its version) skips it. */
    boolean optional() default false;

    /** Layouts of versions 1 .. version-1, in order. */
    Class<? extends OlderLayout<?>>[] olderLayouts() default {};
}
