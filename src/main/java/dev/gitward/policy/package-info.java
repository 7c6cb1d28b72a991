/**
 * Pure decisions on repositories, ref patterns and actions: whether a task token's grants allow a
 * fetch or each command of a push. No I/O and no server types.
 */
@NullMarked
package dev.gitward.policy;

import org.jspecify.annotations.NullMarked;
