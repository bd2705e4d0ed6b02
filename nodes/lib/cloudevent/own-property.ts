/** `target[name] = value`, except that an attribute named `__proto__` stays data instead of replacing the prototype. */
export function setOwnProperty<T>(target: Record<string, T>, name: string, value: T): void {
  if (name === '__proto__') {
    Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[name] = value;
  }
}
