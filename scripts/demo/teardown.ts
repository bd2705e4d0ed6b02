/** What the demo started, stopped in the reverse order; a failing stop does not keep the others running. */
export class Teardown {
  private readonly steps: Array<{ what: string; stop: () => Promise<void> | void }> = [];

  add(what: string, stop: () => Promise<void> | void): void {
    this.steps.push({ what, stop });
  }

  async run(log: (line: string) => void): Promise<void> {
    for (const { what, stop } of this.steps.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        log(`could not stop ${what}: ${(error as Error).message}`);
      }
    }
  }
}
