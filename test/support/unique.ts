// A number no other call in this test process returns: for names and e-mails that must not collide.
let last = 0;

export function unique(): number {
  last += 1;
  return last;
}
