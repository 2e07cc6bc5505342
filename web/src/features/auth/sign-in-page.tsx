import { Alert, Box, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import { useMe, useSignIn } from './session';

/** Only same-app paths are followed after sign-in, never another origin; by default, home. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

function signInMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) return 'Too many attempts. Wait a minute, then try again.';
    return error.message;
  }
  return 'Cannot sign in right now.';
}

export function SignInPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const me = useMe();
  const signIn = useSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [blank, setBlank] = useState<{ email?: string; password?: string }>({});
  const next = safeNext(params.get('next'));

  if (me.data) return <Navigate to={next} replace />;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const missing = { email: email.trim() ? undefined : 'Enter your email', password: password ? undefined : 'Enter your password' };
    setBlank(missing);
    if (missing.email || missing.password) return;
    signIn.mutate({ email: email.trim(), password }, { onSuccess: () => navigate(next, { replace: true }) });
  };

  return (
    <Center mih="100vh" bg="gray.0" p="md">
      <Box w={380}>
        <Stack gap={4} mb="lg" align="center">
          <Title order={1} size="h2">
            Cabinet
          </Title>
          <Text c="dimmed" size="sm">
            Change management
          </Text>
        </Stack>
        <Paper withBorder shadow="xs" p="lg" radius="md">
          <form onSubmit={onSubmit} noValidate aria-label="Sign in">
            <Stack gap="sm">
              <Title order={2} size="h4">
                Sign in
              </Title>
              {signIn.isError && (
                <Alert color="red" variant="light" role="alert" title="Cannot sign in">
                  {signInMessage(signIn.error)}
                </Alert>
              )}
              <TextInput
                label="Email"
                type="email"
                autoComplete="username"
                autoFocus
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
                error={blank.email}
              />
              <PasswordInput
                label="Password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                error={blank.password}
              />
              <Button type="submit" loading={signIn.isPending} fullWidth mt="xs">
                Sign in
              </Button>
            </Stack>
          </form>
        </Paper>
      </Box>
    </Center>
  );
}
