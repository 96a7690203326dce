import { LoadingRegion, Skeleton } from "../../components/ui/Skeleton";

/** The signed-in layout's outline while the account loads. */
export function ShellSkeleton() {
  return (
    <LoadingRegion label="Loading your workspace">
      <div className="min-h-screen lg:grid lg:grid-cols-[17rem_1fr]">
        <div className="hidden space-y-6 border-r border-white/8 p-5 lg:block">
          <Skeleton className="h-8 w-28" />
          <Skeleton className="h-10 w-full" />
          <div className="space-y-2">
            <Skeleton className="h-8 w-full" />
            <Skeleton className="h-8 w-full" />
            <Skeleton className="h-8 w-full" />
          </div>
        </div>
        <div className="mx-auto w-full max-w-6xl space-y-6 px-6 py-10">
          <Skeleton className="h-8 w-64" />
          <Skeleton className="h-4 w-96 max-w-full" />
          <div className="grid gap-4 sm:grid-cols-3">
            <Skeleton className="h-32" />
            <Skeleton className="h-32" />
            <Skeleton className="h-32" />
          </div>
        </div>
      </div>
    </LoadingRegion>
  );
}
