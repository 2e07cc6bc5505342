import { TextInput, type TextInputProps } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useEffect, useState } from 'react';

interface SearchInputProps extends Omit<TextInputProps, 'value' | 'onChange'> {
  value: string;
  /** Called a moment after typing stops, or at once on Enter. */
  onSearch: (value: string) => void;
}

/** A search box that does not fire a request per keystroke; Escape clears it. */
export function SearchInput({ value, onSearch, ...props }: SearchInputProps) {
  const [text, setText] = useState(value);
  // Follow the URL (back/forward) without undoing a trailing space the person is still typing.
  useEffect(() => setText((current) => (current.trim() === value ? current : value)), [value]);
  const debounced = useDebouncedCallback((v: string) => onSearch(v.trim()), 250);
  return (
    <TextInput
      type="search"
      value={text}
      onChange={(e) => {
        setText(e.currentTarget.value);
        debounced(e.currentTarget.value);
      }}
      onKeyDown={(e) => {
        // NOTE: the pending debounced search is dropped, or it would land after (and undo) a later change of the filters.
        if (e.key === 'Enter') {
          debounced.cancel();
          onSearch(text.trim());
        }
        if (e.key === 'Escape' && text) {
          debounced.cancel();
          setText('');
          onSearch('');
        }
      }}
      {...props}
    />
  );
}
