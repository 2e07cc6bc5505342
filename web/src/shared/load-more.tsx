import { Button, Center, Text } from '@mantine/core';

interface LoadMoreProps {
  /** The table's paged query (TanStack's infinite query, or anything shaped like it). */
  query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
  shown: number;
}

/** "Load more" under a cursor-paged table; says how many rows are shown so far. */
export function LoadMore({ query, shown }: LoadMoreProps) {
  const { hasNextPage, isFetchingNextPage } = query;
  const onLoadMore = () => void query.fetchNextPage();
  return (
    <Center mt="sm" style={{ flexDirection: 'column', gap: 4 }}>
      <Text size="xs" c="dimmed">
        {shown === 1 ? '1 row' : `${shown} rows`}
        {hasNextPage ? '' : shown > 0 ? ', all shown' : ''}
      </Text>
      {hasNextPage && (
        <Button variant="default" size="xs" onClick={onLoadMore} loading={isFetchingNextPage}>
          Load more
        </Button>
      )}
    </Center>
  );
}
