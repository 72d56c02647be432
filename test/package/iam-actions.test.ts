import { describe, expect, it } from 'vitest';
import {
  actionMatches,
  checkRole,
  iamActionsFor,
  needlesslyUnscopedActions,
  requiredActions,
  scanSdkImports,
  unneededActions,
  type PolicyStatement,
} from '../support/iam-actions.js';

describe('Function: iamActionsFor', () => {
  it.each([
    ['@aws-sdk/client-lambda', 'UpdateAliasCommand', ['lambda:UpdateAlias']],
    ['@aws-sdk/client-lambda', 'InvokeCommand', ['lambda:InvokeFunction']],
    ['@aws-sdk/client-lambda', 'UpdateFunctionCodeCommand', ['lambda:UpdateFunctionCode', 's3:GetObject', 's3:GetObjectVersion']],
    ['@aws-sdk/client-lambda', 'paginateListVersionsByFunction', ['lambda:ListVersionsByFunction']],
    ['@aws-sdk/client-lambda', 'waitUntilFunctionUpdatedV2', ['lambda:GetFunction']],
    ['@aws-sdk/lib-dynamodb', 'GetCommand', ['dynamodb:GetItem']],
    ['@aws-sdk/lib-dynamodb', 'PutCommand', ['dynamodb:PutItem']],
    ['@aws-sdk/lib-dynamodb', 'UpdateCommand', ['dynamodb:UpdateItem']],
    ['@aws-sdk/lib-dynamodb', 'DeleteCommand', ['dynamodb:DeleteItem']],
    ['@aws-sdk/lib-dynamodb', 'QueryCommand', ['dynamodb:Query']],
    ['@aws-sdk/lib-dynamodb', 'ScanCommand', ['dynamodb:Scan']],
    ['@aws-sdk/lib-dynamodb', 'TransactWriteCommand', ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem']],
    ['@aws-sdk/client-dynamodb', 'GetItemCommand', ['dynamodb:GetItem']],
    ['@aws-sdk/client-s3', 'HeadObjectCommand', ['s3:GetObject', 's3:GetObjectVersion']],
    ['@aws-sdk/client-s3', 'GetObjectCommand', ['s3:GetObject', 's3:GetObjectVersion']],
    ['@aws-sdk/client-sfn', 'StartExecutionCommand', ['states:StartExecution']],
    ['@aws-sdk/client-eventbridge', 'PutEventsCommand', ['events:PutEvents']],
    ['@aws-sdk/client-cloudfront', 'CreateInvalidationCommand', ['cloudfront:CreateInvalidation']],
    ['@aws-sdk/client-cloudwatch', 'DescribeAlarmsCommand', ['cloudwatch:DescribeAlarms']],
    ['@aws-sdk/lib-storage', 'Upload', ['s3:PutObject', 's3:AbortMultipartUpload']],
    ['@aws-sdk/client-ssm', 'GetParameterCommand', ['ssm:GetParameter', 'kms:Decrypt']],
    ['@aws-sdk/client-secrets-manager', 'GetSecretValueCommand', ['secretsmanager:GetSecretValue', 'kms:Decrypt']],
  ])('maps %s %s to its IAM actions', (module, name, actions) => {
    // Act & Assess
    expect(iamActionsFor(module, name)).toEqual(actions);
  });

  it('needs nothing for clients and exceptions', () => {
    // Act & Assess
    expect(iamActionsFor('@aws-sdk/client-lambda', 'LambdaClient')).toEqual([]);
    expect(iamActionsFor('@aws-sdk/client-dynamodb', 'ConditionalCheckFailedException')).toEqual([]);
  });

  it('refuses to guess for clients and waiters it does not know', () => {
    // Act & Assess
    expect(iamActionsFor('@aws-sdk/client-s3', 'RestoreObjectCommand')).toBeUndefined();
    expect(iamActionsFor('@aws-sdk/client-iam', 'CreateRoleCommand')).toBeUndefined();
    expect(iamActionsFor('@aws-sdk/client-sfn', 'waitUntilExecutionDone')).toBeUndefined();
  });
});

describe('Function: scanSdkImports', () => {
  it('reads named imports from minified ESM, aliases and all', () => {
    // Prepare
    const bundle =
      'var a=1;import{LambdaClient as _,UpdateAliasCommand as G}from"@aws-sdk/client-lambda";import{GetCommand as j}from "@aws-sdk/lib-dynamodb";import{z}from"zod";';

    // Act
    const scan = scanSdkImports(bundle);

    // Assess
    expect(scan.imports).toEqual([
      { module: '@aws-sdk/client-lambda', name: 'LambdaClient' },
      { module: '@aws-sdk/client-lambda', name: 'UpdateAliasCommand' },
      { module: '@aws-sdk/lib-dynamodb', name: 'GetCommand' },
    ]);
    expect(scan.opaque).toEqual([]);
  });

  it('reports imports that hide which commands are used', () => {
    // Act
    const scan = scanSdkImports('import*as L from"@aws-sdk/client-lambda";const s=await import("@aws-sdk/client-s3");require("@aws-sdk/client-sfn")');

    // Assess
    expect(scan.opaque).toHaveLength(3);
  });
});

describe('Function: requiredActions', () => {
  it('collects actions and the imports that need them, and lists unknown commands', () => {
    // Act
    const needed = requiredActions(
      'import{HeadObjectCommand as h,RestoreObjectCommand as r}from"@aws-sdk/client-s3";import{GetCommand as g}from"@aws-sdk/lib-dynamodb";',
    );

    // Assess
    expect(Object.fromEntries(needed.actions)).toEqual({
      's3:GetObject': ['@aws-sdk/client-s3#HeadObjectCommand'],
      's3:GetObjectVersion': ['@aws-sdk/client-s3#HeadObjectCommand'],
      'dynamodb:GetItem': ['@aws-sdk/lib-dynamodb#GetCommand'],
    });
    expect(needed.unknown).toEqual(['@aws-sdk/client-s3#RestoreObjectCommand']);
  });
});

describe('Function: actionMatches', () => {
  it.each([
    ['lambda:UpdateAlias', 'lambda:UpdateAlias', true],
    ['lambda:updatealias', 'lambda:UpdateAlias', true],
    ['lambda:Update*', 'lambda:UpdateAlias', true],
    ['lambda:*', 'lambda:UpdateAlias', true],
    ['*', 'lambda:UpdateAlias', true],
    ['lambda:Get?lias', 'lambda:GetAlias', true],
    ['lambda:GetAlias', 'lambda:UpdateAlias', false],
    ['lambda:Update', 'lambda:UpdateAlias', false],
    ['s3:GetObject', 's3:GetObjectVersion', false],
  ])('%s matches %s: %s', (pattern, action, expected) => {
    // Act & Assess
    expect(actionMatches(pattern, action)).toBe(expected);
  });
});

describe('Function: checkRole', () => {
  const table = { 'Fn::GetAtt': ['SlipwayTable', 'Arn'] };

  it('passes a role that grants every needed action on the expected resource', () => {
    // Prepare
    const statements: PolicyStatement[] = [{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: table }];

    // Act & Assess
    expect(checkRole(statements, new Map([['dynamodb:GetItem', ['GetCommand']]]))).toEqual([]);
  });

  it('flags a missing action, a Deny and a NotAction never count as grants', () => {
    // Prepare
    const statements: PolicyStatement[] = [
      { Effect: 'Deny', Action: 'dynamodb:UpdateItem', Resource: table },
      { Effect: 'Allow', NotAction: 'iam:*', Resource: table },
    ];

    // Act
    const findings = checkRole(statements, new Map([['dynamodb:UpdateItem', ['UpdateCommand']]]));

    // Assess
    expect(findings).toEqual([{ action: 'dynamodb:UpdateItem', neededBy: ['UpdateCommand'], problem: 'not allowed' }]);
  });

  it('flags an action granted on the wrong kind of resource', () => {
    // Prepare
    const statements: PolicyStatement[] = [{ Effect: 'Allow', Action: 'states:StartExecution', Resource: table }];

    // Act
    const findings = checkRole(statements, new Map([['states:StartExecution', ['StartExecutionCommand']]]));

    // Assess
    expect(findings).toEqual([expect.objectContaining({ problem: 'allowed on an unexpected resource' })]);
  });
});

describe('Function: unneededActions', () => {
  it('lists grants no call needs, and every wildcard grant', () => {
    // Prepare
    const statements: PolicyStatement[] = [
      { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Scan', 'logs:PutLogEvents'], Resource: 'x' },
      { Effect: 'Allow', Action: 'lambda:*', Resource: 'y' },
    ];

    // Act
    const unneeded = unneededActions(statements, new Map([['dynamodb:GetItem', []]]), ['logs:PutLogEvents']);

    // Assess
    expect(unneeded).toEqual(['dynamodb:Scan', 'lambda:*']);
  });
});

describe('Function: needlesslyUnscopedActions', () => {
  it('allows "*" only for actions without resource-level permissions', () => {
    // Prepare
    const statements: PolicyStatement[] = [
      { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'logs:CreateLogDelivery'], Resource: '*' },
      { Effect: 'Allow', Action: ['lambda:UpdateAlias'], Resource: ['arn:aws:lambda:us-east-1:1:function:a', '*'] },
      { Effect: 'Allow', Action: ['lambda:GetAlias'], Resource: 'arn:aws:lambda:us-east-1:1:function:*' },
    ];

    // Act & Assess
    expect(needlesslyUnscopedActions(statements)).toEqual(['lambda:UpdateAlias']);
  });
});
