import { Select, type SelectProps } from '@mantine/core';
import { useUsers } from './admin-api';

interface UserSelectProps extends Omit<SelectProps, 'data' | 'value' | 'onChange'> {
  value: string | null;
  onChange: (userId: string | null) => void;
  /** Leave these people out (yourself, when delegating). */
  exclude?: string[];
}

/** Picks a person by name (or email); disabled people are left out. */
export function UserSelect({ value, onChange, exclude = [], placeholder, ...props }: UserSelectProps) {
  const users = useUsers();
  const data = (users.data?.items ?? [])
    .filter((u) => (!u.disabled || u.id === value) && !exclude.includes(u.id))
    .map((u) => ({ value: u.id, label: u.name }));
  return (
    <Select
      data={data}
      value={value}
      onChange={onChange}
      searchable
      clearable
      nothingFoundMessage="Nobody by that name"
      placeholder={users.isPending ? 'Loading people…' : placeholder}
      {...props}
    />
  );
}

/** User id → name, for showing change managers and delegates. */
export function useUserNames(): Map<string, string> {
  const { data } = useUsers();
  return new Map((data?.items ?? []).map((u) => [u.id, u.name]));
}
