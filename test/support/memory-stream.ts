/** A stand-in for stdout/stderr that keeps what the CLI wrote; `tty` and `columns` as a terminal would report them. */
export function memoryStream(options: { tty?: boolean; columns?: number } = {}) {
  return {
    text: '',
    writes: 0,
    isTTY: options.tty ?? false,
    columns: options.columns ?? 100,
    write(chunk: string) {
      this.text += chunk;
      this.writes += 1;
      return true;
    },
  };
}

export type MemoryStream = ReturnType<typeof memoryStream>;
