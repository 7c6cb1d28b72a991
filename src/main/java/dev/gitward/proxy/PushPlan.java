package dev.gitward.proxy;

import dev.gitward.audit.AuditEvent;
import dev.gitward.policy.AccessPolicy;
import dev.gitward.policy.Action;
import dev.gitward.policy.Decision;
import dev.gitward.policy.DenyReason;
import dev.gitward.protocol.ReceivePackRequest;
import dev.gitward.protocol.RefCommand;
import dev.gitward.protocol.RefStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The decision on each command of one push. An update that the grants allow only as a fast-forward
 * stays pending until the pack proves it.
 */
final class PushPlan {
  private final List<RefCommand> commands;
  private final List<Decision> decisions;
  private final List<Boolean> pendingProof;
  private final List<Boolean> provenFastForward;

  private PushPlan(
      List<RefCommand> commands,
      List<Decision> decisions,
      List<Boolean> pendingProof,
      List<Boolean> provenFastForward) {
    this.commands = commands;
    this.decisions = decisions;
    this.pendingProof = pendingProof;
    this.provenFastForward = provenFastForward;
  }

  static PushPlan decide(
      ReceivePackRequest request, AccessPolicy policy, Set<String> allowedOptions) {
    List<RefCommand> commands = request.commands();
    List<Decision> decisions = new ArrayList<>();
    List<Boolean> pending = new ArrayList<>();
    Optional<String> badOption =
        request.pushOptions().stream()
            .filter(option -> !allowedOptions.contains(optionName(option)))
            .findFirst();
    for (RefCommand command : commands) {
      if (badOption.isPresent()) {
        decisions.add(
            Decision.denied(
                DenyReason.PUSH_OPTION_NOT_ALLOWED,
                "push option '"
                    + ProxyRejection.shorten(badOption.get())
                    + "' is not forwarded to this upstream"
                    + " (allowed: "
                    + (allowedOptions.isEmpty()
                        ? "none"
                        : String.join(", ", allowedOptions.stream().sorted().toList()))
                    + ")"));
        pending.add(false);
        continue;
      }
      String ref = command.refName();
      switch (command.kind()) {
        case CREATE -> decisions.add(policy.refCommand(Action.CREATE, ref));
        case DELETE -> decisions.add(policy.refCommand(Action.DELETE, ref));
        case UPDATE ->
            decisions.add(
                policy.allows(Action.FORCE, ref)
                    ? Decision.allowed()
                    : policy.refCommand(Action.UPDATE, ref));
      }
      pending.add(
          command.kind() == RefCommand.Kind.UPDATE
              && !policy.allows(Action.FORCE, ref)
              && policy.allows(Action.UPDATE, ref));
    }
    return new PushPlan(
        commands, decisions, pending, commands.stream().map(command -> false).toList());
  }

  /** Returns the option's name: the text before {@code =}, or the whole option. */
  private static String optionName(String option) {
    int equals = option.indexOf('=');
    return equals < 0 ? option : option.substring(0, equals);
  }

  boolean needsProof() {
    return pendingProof.contains(true);
  }

  boolean allAllowedSoFar() {
    return decisions.stream().allMatch(Decision::isAllowed);
  }

  /** Returns the decisions with each pending command decided by {@code proof}. */
  List<Decision> proveAll(Function<RefCommand, Decision> proof) {
    List<Decision> proven = new ArrayList<>(decisions);
    for (int i = 0; i < commands.size(); i++) {
      if (pendingProof.get(i)) {
        proven.set(i, proof.apply(commands.get(i)));
      }
    }
    return proven;
  }

  PushPlan withDecisions(List<Decision> proven) {
    List<Boolean> fastForward = new ArrayList<>();
    for (int i = 0; i < commands.size(); i++) {
      fastForward.add(pendingProof.get(i) && proven.get(i).isAllowed());
    }
    return new PushPlan(
        commands,
        List.copyOf(proven),
        commands.stream().map(command -> false).toList(),
        List.copyOf(fastForward));
  }

  /** Returns the plan with each command on a ref in {@code symbolic} denied. */
  PushPlan denySymbolicRefs(Map<String, String> symbolic) {
    List<Decision> denied = new ArrayList<>(decisions);
    for (int i = 0; i < commands.size(); i++) {
      String ref = commands.get(i).refName();
      String target = symbolic.get(ref);
      if (target != null) {
        denied.set(
            i,
            Decision.denied(
                DenyReason.SYMBOLIC_REF,
                ref
                    + " is a symbolic ref to "
                    + target
                    + " on the upstream, so a push to it"
                    + " would move "
                    + target
                    + "; push to a ref that is not symbolic"));
      }
    }
    return new PushPlan(commands, denied, pendingProof, provenFastForward);
  }

  Optional<DenyReason> firstDenial() {
    return decisions.stream().flatMap(decision -> decision.reason().stream()).findFirst();
  }

  /**
   * Returns the report of a rejected push: every command rejected, the allowed ones because another
   * command of the same push was denied.
   */
  List<RefStatus> finish() {
    List<RefStatus> statuses = new ArrayList<>();
    for (int i = 0; i < commands.size(); i++) {
      String ref = commands.get(i).refName();
      Decision decision = decisions.get(i);
      statuses.add(
          RefStatus.rejected(
              ref,
              decision.isAllowed()
                  ? "another ref of this push was denied, so Gitward forwarded none (atomic push) ["
                      + DenyReason.OTHER_REF_DENIED.code()
                      + "]"
                  : decision.message()));
    }
    return statuses;
  }

  /**
   * Returns the commands for the audit event. An update is {@code force} when the pack showed it is
   * not a fast-forward or when it was allowed by a {@code force} grant without a proof, and {@code
   * update} otherwise. When any command is denied, the allowed ones are recorded as denied with
   * {@code other-ref-denied}, because none is forwarded.
   */
  List<AuditEvent.RefCommand> auditCommands() {
    boolean anyDenied = !allAllowedSoFar();
    List<AuditEvent.RefCommand> audited = new ArrayList<>();
    for (int i = 0; i < commands.size(); i++) {
      RefCommand command = commands.get(i);
      Optional<DenyReason> reason = decisions.get(i).reason();
      String action = action(command, provenFastForward.get(i), reason);
      if (reason.isEmpty() && anyDenied) {
        reason = Optional.of(DenyReason.OTHER_REF_DENIED);
      }
      audited.add(
          new AuditEvent.RefCommand(
              command.refName(),
              command.oldId().hex(),
              command.newId().hex(),
              action,
              reason.isEmpty() ? "allowed" : "denied",
              reason.map(DenyReason::code).orElse(null),
              null,
              null));
    }
    return audited;
  }

  private static String action(
      RefCommand command, boolean provenFastForward, Optional<DenyReason> reason) {
    return switch (command.kind()) {
      case CREATE -> "create";
      case DELETE -> "delete";
      case UPDATE -> {
        boolean notFastForward = reason.equals(Optional.of(DenyReason.NOT_FAST_FORWARD));
        boolean forcedWithoutProof = reason.isEmpty() && !provenFastForward;
        yield notFastForward || forcedWithoutProof ? "force" : "update";
      }
    };
  }
}
