package dev.gitward.cli;

/** Entry point placeholder. */
public final class Gitward {
  private Gitward() {}

  public static void main(String[] args) {}
}
