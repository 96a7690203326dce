import markUrl from "../../assets/luna-mark.svg";

export function Logo({ withName = true }: { withName?: boolean }) {
  return (
    <span className="inline-flex items-center gap-2.5">
      <img src={markUrl} alt="" className="size-8" width={32} height={32} />
      {withName && <span className="text-lg font-semibold tracking-tight text-white">Luna</span>}
    </span>
  );
}
